export * from "./node/index.js";
export * from "./protocol/index.js";
