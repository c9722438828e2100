/** How the page shows times: the browser's zone or UTC (every chart's `timeZone`; charts/time-format.ts formats them). */
export type TimeZone = "local" | "UTC";
