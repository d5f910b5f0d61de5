import { useEffect, useId, useState, type FormEvent } from "react";
import { FILTER_FIELDS, KINDS, type FilterValues } from "./params";

const LABELS: Record<Exclude<(typeof FILTER_FIELDS)[number], "kind">, { label: string; placeholder: string }> = {
  text: { label: "Search", placeholder: "id, name or type" },
  state: { label: "State", placeholder: "running, stopped…" },
  region: { label: "Region", placeholder: "us-east-1" },
  account: { label: "Account", placeholder: "12-digit id" },
  tag: { label: "Tag", placeholder: "key or key=value" },
};

export function FilterForm({ value, onApply }: { value: FilterValues; onApply: (filter: FilterValues) => void }) {
  const [draft, setDraft] = useState(value);
  const id = useId();
  useEffect(() => setDraft(value), [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const clear = () => {
    const empty = Object.fromEntries(FILTER_FIELDS.map((f) => [f, ""])) as FilterValues;
    setDraft(empty);
    onApply(empty);
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Filter resources">
      <div className="field">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select id={`${id}-kind`} value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value })}>
          <option value="">Any</option>
          {KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      {(Object.keys(LABELS) as (keyof typeof LABELS)[]).map((field) => (
        <div className="field" key={field}>
          <label htmlFor={`${id}-${field}`}>{LABELS[field].label}</label>
          <input
            id={`${id}-${field}`}
            type={field === "text" ? "search" : "text"}
            value={draft[field]}
            placeholder={LABELS[field].placeholder}
            onChange={(e) => setDraft({ ...draft, [field]: e.target.value })}
          />
        </div>
      ))}
      <div className="buttons">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
