//! Every billing scope with cost rows is named in `billing_scopes`: the importer relies on it to
//! skip the replace step for scopes it loads for the first time. Rows loaded before
//! `billing_scopes` existed get their scope recorded here (nothing to do on a new database).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO billing_scopes (provider, billing_account_id, billing_period_start, \
                 import_batch_id, covered_until, rows, loaded_at) \
                 SELECT l.provider, l.billing_account_id, l.billing_period_start, \
                 MIN(l.import_batch_id), MAX(l.charge_period_end), COUNT(*), MAX(l.charge_period_end) \
                 FROM cost_lines l \
                 WHERE NOT EXISTS (SELECT 1 FROM billing_scopes s WHERE s.provider = l.provider \
                 AND s.billing_account_id = l.billing_account_id \
                 AND s.billing_period_start = l.billing_period_start) \
                 GROUP BY l.provider, l.billing_account_id, l.billing_period_start",
            )
            .await
            .map(|_| ())
    }
}
