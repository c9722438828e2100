import { playCorpus } from "./support/corpus-runner.js";
import { connectHttp, httpSkip } from "./support/http-peer.js";

// Every case of device-client/conformance/corpus.json over the HTTP transport (docs/protocol.md §10),
// but those that hold the hub to a rule of the WebSocket (support/http-peer.ts says which and why).
playCorpus({ connect: connectHttp, skip: httpSkip }, "the conformance corpus over the HTTP transport");
