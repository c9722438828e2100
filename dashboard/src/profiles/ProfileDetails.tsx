import { Box, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import type { DeviceProfile, ProfileMetric } from "@telehub/hub";
import type { ReactNode } from "react";

function Section({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <Box sx={{ mt: 3 }} data-testid={testId}>
      <Typography variant="h6" gutterBottom>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function Json({ value }: { value: unknown }) {
  return (
    <Typography component="pre" variant="body2" sx={{ m: 0, fontFamily: "monospace", whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
      {JSON.stringify(value, null, 2)}
    </Typography>
  );
}

const none = (
  <Typography variant="body2" color="text.secondary">
    none
  </Typography>
);

function rangeOf(metric: ProfileMetric): string {
  const { min, max } = metric.range ?? {};
  if (min === undefined && max === undefined) return "–";
  return `${min ?? "…"} to ${max ?? "…"}`;
}

function MetricsTable({ metrics }: { metrics: ProfileMetric[] }) {
  if (metrics.length === 0) return none;
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small">
        <TableHead>
          <TableRow>
            {["Name", "Shown as", "Type", "Kind", "Unit", "Decimals", "Range", "States"].map((title) => (
              <TableCell key={title}>{title}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {metrics.map((metric) => (
            <TableRow key={metric.name} data-testid="profile-metric" data-metric={metric.name}>
              <TableCell sx={{ fontFamily: "monospace" }}>{metric.name}</TableCell>
              <TableCell>{metric.displayName ?? metric.name}</TableCell>
              <TableCell>{metric.type}</TableCell>
              <TableCell>{metric.kind}</TableCell>
              <TableCell>{metric.unit ?? "–"}</TableCell>
              <TableCell>{metric.decimals ?? "–"}</TableCell>
              <TableCell>{rangeOf(metric)}</TableCell>
              <TableCell>{metric.states?.join(", ") ?? "–"}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function Commands({ profile }: { profile: DeviceProfile }) {
  if (profile.commands.length === 0) return none;
  return (
    <Stack spacing={2}>
      {profile.commands.map((command) => (
        <Box key={command.name} data-testid="profile-command" data-command={command.name}>
          <Typography variant="subtitle1" sx={{ fontFamily: "monospace" }}>
            {command.name}
          </Typography>
          {command.description && <Typography variant="body2">{command.description}</Typography>}
          {command.args ? (
            <Box sx={{ mt: 0.5, p: 1, bgcolor: "action.hover", borderRadius: 1 }}>
              <Typography variant="caption" color="text.secondary">
                Arguments (JSON Schema)
              </Typography>
              <Json value={command.args} />
            </Box>
          ) : (
            <Typography variant="body2" color="text.secondary">
              No arguments described
            </Typography>
          )}
        </Box>
      ))}
    </Stack>
  );
}

function Layout({ profile }: { profile: DeviceProfile }) {
  const metrics = new Map(profile.metrics.map((metric) => [metric.name, metric]));
  if (profile.layout.charts.length === 0) return none;
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          <TableCell>Chart</TableCell>
          <TableCell>Metrics</TableCell>
          <TableCell>On the device page</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {profile.layout.charts.map((chart) => (
          <TableRow key={chart.title} data-testid="profile-chart" data-chart={chart.title}>
            <TableCell>{chart.title}</TableCell>
            <TableCell>{chart.metrics.map((name) => metrics.get(name)?.displayName ?? name).join(", ")}</TableCell>
            <TableCell>{chart.shown === false ? "hidden until shown" : "shown"}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Patterns({ label, patterns }: { label: string; patterns: string[] | undefined }) {
  if (!patterns?.length) return null;
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: "center", flexWrap: "wrap", mb: 1 }}>
      <Typography variant="body2">{label}</Typography>
      {patterns.map((pattern) => (
        <Chip key={pattern} size="small" label={pattern} sx={{ fontFamily: "monospace" }} />
      ))}
    </Stack>
  );
}

/** Everything a profile says: metrics, commands with their argument schemas, page layout, default configuration, match patterns. */
export function ProfileDetails({ profile }: { profile: DeviceProfile }) {
  const hasMatch = Boolean(profile.match?.models?.length || profile.match?.firmware?.length);
  return (
    <Box data-testid="profile-details" data-version={profile.version}>
      <Typography variant="h5">{profile.name}</Typography>
      <Typography variant="body2" color="text.secondary">
        {profile.id} · version {profile.version}
        {profile.builtIn && " · built in"} · saved {new Date(profile.updatedAt).toLocaleString()}
        {profile.updatedBy && ` by ${profile.updatedBy}`}
      </Typography>
      {profile.description && (
        <Typography variant="body1" sx={{ mt: 1 }}>
          {profile.description}
        </Typography>
      )}
      <Section title="Assigned automatically to" testId="profile-match">
        {hasMatch ? (
          <>
            <Patterns label="devices whose model matches" patterns={profile.match?.models} />
            <Patterns label="devices whose firmware matches" patterns={profile.match?.firmware} />
          </>
        ) : (
          <Typography variant="body2" color="text.secondary">
            no device (no match patterns): devices get it when created or edited
          </Typography>
        )}
      </Section>
      <Section title="Metrics" testId="profile-metrics">
        <MetricsTable metrics={profile.metrics} />
      </Section>
      <Section title="Commands" testId="profile-commands">
        <Commands profile={profile} />
      </Section>
      <Section title="Device page charts" testId="profile-layout">
        <Layout profile={profile} />
      </Section>
      <Section title="Default configuration" testId="profile-default-config">
        {profile.defaultConfig ? <Json value={profile.defaultConfig} /> : none}
      </Section>
    </Box>
  );
}
