import { useLogoutIfAccessDenied } from "react-admin";
import { hubFetch } from "../api";
import { useLiveClosedByHub } from "../live/LiveContext";
import { currentIdentity } from "./credentials";
import { rotated } from "./session-api";

/** Live close reasons that say the credential may have ended (docs/api.md, "Live channel"). */
const CREDENTIAL_ENDED = new Set(["TH_API_SESSION_ENDED", "TH_API_USER_DISABLED", "TH_API_KEY_REVOKED"]);

/**
 * When the hub closes the live channel because a session ended, a user was disabled or a key
 * revoked, ask the hub whether this tab's login still holds (a password change ends the old
 * session but this tab goes on in the new one: the question waits for its answer): a `401`
 * shows the login page at once instead of at the next API call.
 */
export function CredentialWatch() {
  const logoutIfAccessDenied = useLogoutIfAccessDenied();
  useLiveClosedByHub((reason) => {
    const identity = currentIdentity();
    if (!identity || !CREDENTIAL_ENDED.has(reason)) return;
    rotated()
      .then(() => hubFetch(identity.kind === "key" ? "/me" : "/session"))
      .catch((error: unknown) => logoutIfAccessDenied(error));
  });
  return null;
}
