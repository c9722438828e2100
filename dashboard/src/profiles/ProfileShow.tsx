import { Alert, Box, Button, Card, CardContent, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import type { DeviceProfile } from "@telehub/hub";
import { useState } from "react";
import { DeleteButton, EditButton, ShowBase, Title, TopToolbar, usePermissions, useRecordContext } from "react-admin";
import { isAdmin } from "../auth/credentials";
import { ProfileDetails } from "./ProfileDetails";
import { ProfileVersions } from "./ProfileVersions";
import { profileVersion } from "./profile-api";

function Actions() {
  const { permissions } = usePermissions();
  if (!isAdmin(permissions)) return null;
  return (
    <TopToolbar>
      <EditButton />
      <DeleteButton
        mutationMode="pessimistic"
        confirmTitle="Delete this profile?"
        confirmContent="The hub refuses while devices use it. Its versions are deleted with it."
      />
    </TopToolbar>
  );
}

/** An older version as it was saved, above the way back to the current one. */
function OlderVersion({ id, version, current, onBack }: { id: string; version: number; current: number; onBack: () => void }) {
  const { data, error } = useQuery({ queryKey: ["telehub", "profile-version", id, version], queryFn: () => profileVersion(id, version) });
  return (
    <>
      <Alert
        severity="info"
        data-testid="profile-old-version"
        action={
          <Button color="inherit" size="small" onClick={onBack}>
            Back to version {current}
          </Button>
        }
      >
        Version {version} as it was saved; the current version is {current}.
      </Alert>
      {error && <Alert severity="error">{(error as Error).message}</Alert>}
      {data && <ProfileDetails profile={data} />}
    </>
  );
}

function ProfilePage() {
  const profile = useRecordContext<DeviceProfile>();
  const [viewing, setViewing] = useState<number | undefined>();
  if (!profile) return null;
  const older = viewing !== undefined && viewing !== profile.version ? viewing : undefined;
  return (
    <>
      <Title title={`Profile ${profile.name}`} />
      <Actions />
      <Card>
        <CardContent>
          {older === undefined ? (
            <ProfileDetails profile={profile} />
          ) : (
            <OlderVersion id={profile.id} version={older} current={profile.version} onBack={() => setViewing(undefined)} />
          )}
          <Box sx={{ mt: 3 }}>
            <Typography variant="h6" gutterBottom>
              Versions
            </Typography>
            <ProfileVersions id={profile.id} current={profile.version} viewing={older ?? profile.version} onView={setViewing} />
          </Box>
        </CardContent>
      </Card>
    </>
  );
}

/** One profile with its history; admins edit and delete it (the hub keeps every version). */
export function ProfileShow() {
  return (
    <ShowBase>
      <ProfilePage />
    </ShowBase>
  );
}
