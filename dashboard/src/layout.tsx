import type { ReactNode } from "react";
import { AppBar, Layout, TitlePortal } from "react-admin";
import { TelehubUserMenu } from "./account/UserMenuItems";
import { CredentialWatch } from "./auth/CredentialWatch";
import { LiveResync } from "./live/LiveResync";
import { LiveStatusChip } from "./live/LiveStatusChip";

function TelehubAppBar() {
  return (
    <AppBar userMenu={<TelehubUserMenu />}>
      <TitlePortal />
      <LiveStatusChip />
    </AppBar>
  );
}

/**
 * react-admin's layout with the live channel's status and the account menu in the app bar;
 * reloads after missed live updates; shows the login page as soon as the live channel says the login ended.
 */
export function TelehubLayout({ children }: { children: ReactNode }) {
  return (
    <Layout appBar={TelehubAppBar}>
      <LiveResync />
      <CredentialWatch />
      {children}
    </Layout>
  );
}
