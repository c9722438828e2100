import { useEffect, useState } from "react";
import { currentIdentity, type Identity, onIdentityChange } from "./credentials";

/** The tab's identity, rendered again after every login and logout. */
export function useIdentity(): Identity | undefined {
  const [identity, setIdentity] = useState(currentIdentity);
  useEffect(() => {
    setIdentity(currentIdentity());
    return onIdentityChange(() => setIdentity(currentIdentity()));
  }, []);
  return identity;
}
