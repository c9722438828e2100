export * from "./app.js";
export * from "./config/hub-config.js";
export * from "./config/load-config.js";
