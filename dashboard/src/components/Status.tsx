import { describeError } from "../api/client";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <p role="status" className="loading">
      <span className="spinner" aria-hidden="true" />
      {label}…
    </p>
  );
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div role="alert" className="notice error-notice">
      <p>{describeError(error)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A tenant the caller may not see is answered like one that does not exist. */
export function TenantNotFound({ tenant }: { tenant: string }) {
  return (
    <div role="alert" className="notice">
      <p>
        No tenant <code>{tenant}</code> among yours.
      </p>
    </div>
  );
}
