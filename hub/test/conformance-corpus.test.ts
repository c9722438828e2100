import { playCorpus, WEBSOCKET } from "./support/corpus-runner.js";

// The runner (support/corpus-runner.ts) plays every case of device-client/conformance/corpus.json; here over a WebSocket.
playCorpus(WEBSOCKET, "the conformance corpus against a live hub");
