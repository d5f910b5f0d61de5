//! Small robust-statistics helpers shared by the forecast and the anomaly detector.
//!
//! Statistics are computed in `f64` (money only enters and leaves through [`to_f64`] and
//! [`to_money`]); medians of money that are themselves reported are taken in `Decimal` by
//! [`median_decimal`] so that reported figures stay exact sums of cents.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};

/// Multiplying the median absolute deviation by this estimates the standard deviation of a
/// normal distribution (1 / Φ⁻¹(3/4)), so a robust scale can be used like a σ.
pub(super) const MAD_TO_SIGMA: f64 = 1.4826;

/// `d` as `f64`; amounts are far inside `f64`'s exact range for cents.
pub(super) fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// An `f64` amount as money: rounded to cents, half away from zero. A non-finite value (which
/// the callers never produce) becomes zero rather than a panic.
pub(super) fn to_money(x: f64) -> Decimal {
    Decimal::from_f64(x)
        .unwrap_or_default()
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `d` rounded to cents, half away from zero.
pub(super) fn round_money(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Median of `values` (mean of the two middle values for an even count); `None` when empty.
/// Sorts `values` in place.
pub(super) fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// Exact median of decimal amounts; `None` when empty. Sorts `values` in place.
pub(super) fn median_decimal(values: &mut [Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    values.sort();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / Decimal::TWO
    } else {
        values[mid]
    })
}

/// Median absolute deviation of `values` around `center` (0 when empty).
pub(super) fn mad(values: &[f64], center: f64) -> f64 {
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    median(&mut deviations).unwrap_or(0.0)
}

/// Mean of the `values` within 3 robust standard deviations (1.4826 × MAD) of their median:
/// the median's immunity to a few outliers with most of the mean's efficiency (the median of
/// eight uniform-noise values is three times as variable as their mean). `None` when empty.
pub(super) fn robust_mean(values: &[f64]) -> Option<f64> {
    let center = median(&mut values.to_vec())?;
    let limit = 3.0 * MAD_TO_SIGMA * mad(values, center);
    let kept: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| (v - center).abs() <= limit)
        .collect();
    // With MAD 0 only the values equal to the median are kept, which is never empty.
    Some(kept.iter().sum::<f64>() / kept.len() as f64)
}

/// Theil–Sen line through `points` (x, y): the slope is the median of the slopes of every pair
/// with distinct x, the intercept the median of `y − slope·x`. Robust to outliers in up to
/// ~29 % of the points, which is why it is used on weekly means that may contain a spike.
/// `None` when there are no points; slope 0 when no pair has distinct x.
pub(super) fn theil_sen(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    if points.is_empty() {
        return None;
    }
    let mut slopes = Vec::with_capacity(points.len() * points.len() / 2);
    for (i, &(xi, yi)) in points.iter().enumerate() {
        for &(xj, yj) in &points[i + 1..] {
            if xj != xi {
                slopes.push((yj - yi) / (xj - xi));
            }
        }
    }
    let slope = median(&mut slopes).unwrap_or(0.0);
    let mut intercepts: Vec<f64> = points.iter().map(|&(x, y)| y - slope * x).collect();
    let intercept = median(&mut intercepts)?;
    Some((intercept, slope))
}

/// Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation (relative error
/// below 1.2e-9 over (0, 1)); ±∞ at the ends. Used so any interval level works, not only the
/// tabulated 80 % (z = 1.2816) and 95 % (z = 1.9600).
pub(super) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.02425;
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    // The tails use a rational function of sqrt(-2 ln p), the centre one of (p - 1/2)².
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_even_and_empty() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
        let mut d = [
            Decimal::new(300, 2),
            Decimal::new(100, 2),
            Decimal::new(201, 2),
            Decimal::ONE,
        ];
        assert_eq!(median_decimal(&mut d), Some(Decimal::new(1505, 3)));
        assert_eq!(median_decimal(&mut []), None);
    }

    #[test]
    fn mad_ignores_one_outlier() {
        let values = [10.0, 11.0, 9.0, 10.0, 1000.0];
        assert_eq!(mad(&values, 10.0), 1.0);
        assert_eq!(mad(&[], 0.0), 0.0);
    }

    #[test]
    fn robust_mean_rejects_outliers() {
        assert_eq!(robust_mean(&[1.0, 2.0, 3.0, 4.0, 100.0]), Some(2.5));
        assert_eq!(robust_mean(&[5.0, 5.0, 5.0, 9.0]), Some(5.0));
        assert_eq!(robust_mean(&[2.0]), Some(2.0));
        assert_eq!(robust_mean(&[]), None);
    }

    #[test]
    fn theil_sen_recovers_a_line_despite_an_outlier() {
        let mut points: Vec<(f64, f64)> =
            (0..8).map(|x| (x as f64, 5.0 + 2.0 * x as f64)).collect();
        points[5].1 = 500.0;
        let (a, b) = theil_sen(&points).unwrap();
        assert!((b - 2.0).abs() < 1e-9, "slope {b}");
        assert!((a - 5.0).abs() < 1e-9, "intercept {a}");
        assert_eq!(theil_sen(&[(1.0, 7.0)]), Some((7.0, 0.0)));
        assert_eq!(theil_sen(&[]), None);
    }

    #[test]
    fn normal_quantiles_match_tables() {
        assert!((normal_quantile(0.90) - 1.281_551_6).abs() < 1e-6);
        assert!((normal_quantile(0.975) - 1.959_964_0).abs() < 1e-6);
        assert!((normal_quantile(0.995) - 2.575_829_3).abs() < 1e-6);
        assert!((normal_quantile(0.01) + 2.326_347_9).abs() < 1e-6);
        assert_eq!(normal_quantile(0.5), 0.0);
        assert!(normal_quantile(0.0).is_infinite() && normal_quantile(1.0).is_infinite());
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(to_money(1.005_000_1), Decimal::new(101, 2));
        assert_eq!(to_money(2.345), Decimal::new(235, 2));
        assert_eq!(to_money(f64::NAN), Decimal::ZERO);
        assert_eq!(round_money(Decimal::new(12345, 3)), Decimal::new(1235, 2));
        assert_eq!(to_f64(Decimal::new(1234, 2)), 12.34);
    }
}
