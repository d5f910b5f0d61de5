import { useCallback, useEffect, useRef, useState } from "react";
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { request } from "./client";

export interface QueryState<T> {
  /** The latest answer (kept while the next one loads, so the page does not flash). */
  data: T | null;
  error: unknown;
  /** True from the moment the variables change until their answer is in. */
  loading: boolean;
  /** Asks again (after a CONFLICT, or a person's "Try again"). */
  reload: () => void;
}

interface Answer<T> {
  key: string;
  data: T | null;
  error: unknown;
}

/** Runs the page's one query whenever its variables change. */
export function useQuery<TResult, TVariables>(
  document: DocumentTypeDecoration<TResult, TVariables> & { toString(): string },
  variables: TVariables,
): QueryState<TResult> {
  const [generation, setGeneration] = useState(0);
  const key = `${generation}:${JSON.stringify(variables)}`;
  const [answer, setAnswer] = useState<Answer<TResult>>({ key: "", data: null, error: null });
  const variablesRef = useRef(variables);
  variablesRef.current = variables;

  useEffect(() => {
    const controller = new AbortController();
    request(document, variablesRef.current, controller.signal).then(
      (data) => setAnswer({ key, data, error: null }),
      (error: unknown) => {
        if (!controller.signal.aborted) setAnswer((a) => ({ key, data: a.data, error }));
      },
    );
    return () => controller.abort();
  }, [document, key]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current = answer.key === key;
  return {
    data: answer.error && current ? null : answer.data,
    error: current ? answer.error : null,
    loading: !current,
    reload,
  };
}
