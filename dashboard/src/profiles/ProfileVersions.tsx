import { Button, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { profileVersions } from "./profile-api";

/** The saved versions of a profile, newest first, each with "View this version". */
export function ProfileVersions({
  id,
  current,
  viewing,
  onView,
}: {
  id: string;
  current: number;
  viewing: number;
  onView: (version: number) => void;
}) {
  // `current` in the key: a save elsewhere that reached this page (refresh) lists the new version.
  const { data, error } = useQuery({ queryKey: ["telehub", "profile-versions", id, current], queryFn: () => profileVersions(id) });
  if (error) return <Typography color="error">{(error as Error).message}</Typography>;
  if (!data) return null;
  return (
    <Table size="small" data-testid="profile-versions">
      <TableHead>
        <TableRow>
          <TableCell>Version</TableCell>
          <TableCell>Saved</TableCell>
          <TableCell>By</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {data.map((entry) => (
          <TableRow key={entry.version} data-testid="profile-version" data-version={entry.version} selected={entry.version === viewing}>
            <TableCell>
              {entry.version}
              {entry.version === current && " (current)"}
            </TableCell>
            <TableCell>{new Date(entry.updatedAt).toLocaleString()}</TableCell>
            <TableCell>{entry.updatedBy ?? "the hub"}</TableCell>
            <TableCell>
              {entry.version !== viewing && (
                <Button size="small" onClick={() => onView(entry.version)}>
                  View this version
                </Button>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
