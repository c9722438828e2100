import type { ReactNode } from "react";
import { AppBar, Layout, TitlePortal } from "react-admin";
import { LiveResync } from "./live/LiveResync";
import { LiveStatusChip } from "./live/LiveStatusChip";

function TelehubAppBar() {
  return (
    <AppBar>
      <TitlePortal />
      <LiveStatusChip />
    </AppBar>
  );
}

/** react-admin's layout with the live channel's status in the app bar; reloads after missed live updates. */
export function TelehubLayout({ children }: { children: ReactNode }) {
  return (
    <Layout appBar={TelehubAppBar}>
      <LiveResync />
      {children}
    </Layout>
  );
}
