// Subscriptions over graphql-transport-ws at /graphql/ws; the token goes in connection_init.
import { createClient, type Client } from "graphql-ws";
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { currentBearer, operationName } from "./client";

export type LiveStatus = "connecting" | "live" | "reconnecting" | "closed";

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/graphql/ws`;
}

export function subscribe<TResult, TVariables>(
  document: DocumentTypeDecoration<TResult, TVariables> & { toString(): string },
  variables: TVariables,
  handlers: { next: (data: TResult) => void; status: (status: LiveStatus) => void; error: (error: unknown) => void },
): () => void {
  let connectedOnce = false;
  const client: Client = createClient({
    url: socketUrl(),
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    connectionParams: () => {
      const token = currentBearer();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    on: {
      connecting: () => handlers.status(connectedOnce ? "reconnecting" : "connecting"),
      connected: () => {
        connectedOnce = true;
        handlers.status("live");
      },
      closed: () => handlers.status(connectedOnce ? "reconnecting" : "connecting"),
    },
  });
  const unsubscribe = client.subscribe<TResult>(
    {
      query: document.toString(),
      variables: variables as Record<string, unknown>,
      operationName: operationName(document),
    },
    {
      next: (message) => {
        if (message.data) handlers.next(message.data as TResult);
      },
      error: (error) => handlers.error(error),
      complete: () => handlers.status("closed"),
    },
  );
  return () => {
    unsubscribe();
    void client.dispose();
  };
}
