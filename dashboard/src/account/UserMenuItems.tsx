import ManageAccountsIcon from "@mui/icons-material/ManageAccounts";
import PhonelinkEraseIcon from "@mui/icons-material/PhonelinkErase";
import { ListItemIcon, ListItemText, MenuItem } from "@mui/material";
import { forwardRef, useState } from "react";
import { Confirm, Logout, UserMenu, useLogout, useNotify, useRedirect, useUserMenu } from "react-admin";
import { hubFetch } from "../api";
import { forgetIdentity } from "../auth/credentials";
import { markSessionEnded } from "../auth/session-api";
import { useIdentity } from "../auth/useIdentity";

/** "Account": who is logged in, and the password change. */
const AccountItem = forwardRef<HTMLLIElement>(function AccountItem(_props, ref) {
  const menu = useUserMenu();
  const redirect = useRedirect();
  return (
    <MenuItem
      ref={ref}
      onClick={() => {
        menu?.onClose();
        redirect("/account");
      }}
    >
      <ListItemIcon>
        <ManageAccountsIcon fontSize="small" />
      </ListItemIcon>
      <ListItemText>Account</ListItemText>
    </MenuItem>
  );
});

/** "Log out everywhere": `DELETE /api/v1/sessions` ends every session of the user, this one included. */
const LogOutEverywhereItem = forwardRef<HTMLLIElement>(function LogOutEverywhereItem(_props, ref) {
  const menu = useUserMenu();
  const logout = useLogout();
  const notify = useNotify();
  const [asking, setAsking] = useState(false);
  const confirm = async () => {
    try {
      await hubFetch("/sessions", { method: "DELETE" });
    } catch (error) {
      notify((error as Error).message, { type: "error" });
      return;
    } finally {
      setAsking(false);
      menu?.onClose();
    }
    // The hub has ended this session too: log out without asking it again.
    forgetIdentity();
    markSessionEnded();
    await logout();
  };
  return (
    <>
      <MenuItem ref={ref} onClick={() => setAsking(true)}>
        <ListItemIcon>
          <PhonelinkEraseIcon fontSize="small" />
        </ListItemIcon>
        <ListItemText>Log out everywhere</ListItemText>
      </MenuItem>
      <Confirm
        isOpen={asking}
        title="Log out everywhere?"
        content="This ends your sessions in every browser and tab, this one included."
        confirm="Log out everywhere"
        onConfirm={confirm}
        onClose={() => {
          setAsking(false);
          menu?.onClose();
        }}
      />
    </>
  );
});

/** The user menu: Account and Log out everywhere for a user session, then Logout. */
export function TelehubUserMenu() {
  const identity = useIdentity();
  return (
    <UserMenu>
      <AccountItem />
      {identity?.kind === "session" && <LogOutEverywhereItem />}
      <Logout />
    </UserMenu>
  );
}
