import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from "react";
import { currentIdentity, onIdentityChange } from "../auth/credentials";
import { LiveClient } from "./live-client";
import type { LiveStatus, LiveTransportKind, LiveUpdate } from "./live-types";

const LiveContext = createContext<LiveClient | undefined>(undefined);

/** `?live=sse` or `?live=long-poll` (or localStorage `telehub.live`) forces that transport, e.g. to try it. */
function forcedTransport(): "auto" | LiveTransportKind {
  const asked = new URLSearchParams(location.search).get("live") ?? localStorage.getItem("telehub.live");
  return asked === "sse" || asked === "websocket" || asked === "long-poll" ? asked : "auto";
}

/** One live client for the whole app (one connection per browser tab). */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useMemo(() => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return new LiveClient({
      webSocketUrl: `${scheme}://${location.host}/v1/live`,
      eventStreamUrl: "/api/v1/live",
      credential: () => {
        const identity = currentIdentity();
        if (!identity) return undefined;
        return identity.kind === "key" ? { kind: "key", key: identity.key } : { kind: "cookie" };
      },
      transport: forcedTransport(),
      onStatus: (status) => {
        for (const listener of statusListeners) listener(status);
      },
      onClosedByHub: (reason) => {
        for (const listener of closedByHubListeners) listener(reason);
      },
    });
  }, []);
  useEffect(() => {
    client.resume();
    const stopListening = onIdentityChange(() => client.restart());
    return () => {
      stopListening();
      client.close();
    };
  }, [client]);
  return <LiveContext.Provider value={client}>{children}</LiveContext.Provider>;
}

const statusListeners = new Set<(status: LiveStatus) => void>();
const closedByHubListeners = new Set<(reason: string) => void>();

/** Call `listener` with the reason each time the hub closes the live connection and says why (e.g. `TH_API_SESSION_ENDED`). */
export function useLiveClosedByHub(listener: (reason: string) => void): void {
  const current = useRef(listener);
  current.current = listener;
  useEffect(() => {
    const forward = (reason: string) => current.current(reason);
    closedByHubListeners.add(forward);
    return () => {
      closedByHubListeners.delete(forward);
    };
  }, []);
}

function useLiveClient(): LiveClient {
  const client = useContext(LiveContext);
  if (!client) throw new Error("useLive needs a <LiveProvider> above it");
  return client;
}

/** Updates that arrive within this long are handed over together, so their state changes render once. */
const DELIVERY_INTERVAL_MS = 50;

/**
 * Subscribe to live topics (`telemetry:<device>`, `commands:*`, …) while the component is
 * mounted; `onUpdate` gets every update of the connection, in order (filter by device in it).
 * The latest `onUpdate` is used without resubscribing. The hub may send a message per reading
 * (hundreds a second with a large fleet): they are delivered in groups at most every
 * `DELIVERY_INTERVAL_MS`, so React renders a component once per group, not once per message.
 */
export function useLive(topics: readonly string[], onUpdate: (update: LiveUpdate) => void): void {
  const client = useLiveClient();
  const handler = useRef(onUpdate);
  handler.current = onUpdate;
  const key = topics.join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `topics` (a new array each render).
  useEffect(() => {
    let waiting: LiveUpdate[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deliver = (): void => {
      timer = undefined;
      const updates = waiting;
      waiting = [];
      for (const update of updates) handler.current(update);
    };
    const unsubscribe = client.subscribe(topics, (update) => {
      waiting.push(update);
      timer ??= setTimeout(deliver, DELIVERY_INTERVAL_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [client, key]);
}

/** The live connection's state, for the status indicator. */
export function useLiveStatus(): LiveStatus {
  const client = useLiveClient();
  const [status, setStatus] = useState(client.currentStatus);
  useEffect(() => {
    statusListeners.add(setStatus);
    setStatus(client.currentStatus);
    return () => {
      statusListeners.delete(setStatus);
    };
  }, [client]);
  return status;
}
