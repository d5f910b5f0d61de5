import { useId } from "react";
import { formatMonth, recentMonths } from "../format/dates";

/** A labelled choice among the last `count` months, newest first. */
export function MonthPicker({
  value,
  latest,
  onChange,
  count = 12,
}: {
  value: string;
  latest: string;
  onChange: (month: string) => void;
  count?: number;
}) {
  const id = useId();
  return (
    <div className="field inline">
      <label htmlFor={id}>Month</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {recentMonths(latest, count).map((m) => (
          <option key={m} value={m}>
            {formatMonth(m)}
          </option>
        ))}
      </select>
    </div>
  );
}
