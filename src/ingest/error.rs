use std::path::Path;

/// Why an import stopped. `Display` is the one line the CLI prints.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is wrong: where, and what.
    #[error("{file}{}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default(), .field.as_ref().map(|c| format!(": {c}")).unwrap_or_default())]
    Invalid {
        file: String,
        line: Option<u64>,
        /// The column (CSV) or field path (JSON) at fault.
        field: Option<String>,
        message: String,
    },
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl ImportError {
    pub fn invalid(
        file: &Path,
        line: Option<u64>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        ImportError::Invalid {
            file: file.display().to_string(),
            line,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }
}

impl From<ImportError> for crate::error::AppError {
    fn from(err: ImportError) -> Self {
        match err {
            ImportError::Invalid { .. } => crate::error::AppError::BadUserInput(err.to_string()),
            other => crate::error::AppError::Internal(other.to_string()),
        }
    }
}
