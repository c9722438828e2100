/** The live channel's messages (docs/api.md, "Live channel"): the hub's own types. */
export type { MetricValue } from "@telehub/device-client/protocol";
export type { CommandRecord as LiveCommand, LiveAlarm, LivePresence, LiveUpdate, LiveValue } from "@telehub/hub";

/** How the browser is connected to the live channel. */
export type LiveStatus = { state: "connecting" | "open" | "closed"; transport: LiveTransportKind };

/** The live channel's transports, best first: a WebSocket, Server-Sent Events, long polling. */
export type LiveTransportKind = "websocket" | "sse" | "long-poll";
