import { Box, Stack, Typography, useTheme } from "@mui/material";
import type { AlarmTransition } from "@telehub/hub";
import { formatInstant } from "../charts/time-format";
import { useTimeZone } from "../time/useTimeZone";
import { actorText, transitionText } from "./alarm-history";
import { severityColor } from "./severity";

function valueText(value: AlarmTransition["value"]): string | undefined {
  if (value === null) return undefined;
  return typeof value === "string" ? `"${value}"` : String(value);
}

/**
 * An alarm's history, oldest first: each step with its time (page time zone), what it did, who
 * did it (the rule, the hub, or a person by name), the value that caused it, and the comment.
 * A dot of the severity's colour marks each step.
 */
export function AlarmTimeline({ transitions }: { transitions: readonly AlarmTransition[] }) {
  const [timeZone] = useTimeZone();
  const mode = useTheme().palette.mode;
  const steps = [...transitions].sort((a, b) => a.seq - b.seq);
  return (
    <Stack component="ol" spacing={0} sx={{ listStyle: "none", p: 0, m: 0 }} data-testid="alarm-timeline">
      {steps.map((t, i) => (
        <Box
          component="li"
          key={t.seq}
          data-testid="alarm-transition"
          data-kind={t.kind}
          sx={{ display: "grid", gridTemplateColumns: "16px 1fr", columnGap: 1.5, minWidth: 0 }}
        >
          <Box sx={{ display: "flex", flexDirection: "column", alignItems: "center" }}>
            <Box
              sx={{
                width: 12,
                height: 12,
                mt: 0.75,
                borderRadius: "50%",
                bgcolor: t.kind === "cleared" ? "text.disabled" : severityColor(t.severity, mode),
                border: 1,
                borderColor: "divider",
              }}
            />
            {i < steps.length - 1 && <Box sx={{ flex: 1, width: 2, bgcolor: "divider", minHeight: 16 }} />}
          </Box>
          <Box sx={{ pb: 2, minWidth: 0 }}>
            <Typography variant="body2" sx={{ fontWeight: 600 }}>
              {transitionText(t)}
              {valueText(t.value) !== undefined && (
                <Typography component="span" variant="body2" color="text.secondary">
                  {" "}
                  at value {valueText(t.value)}
                </Typography>
              )}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {formatInstant(t.at, timeZone)} · by <span data-testid="alarm-transition-by">{actorText(t.by, t.byName)}</span>
            </Typography>
            {t.comment && (
              <Typography
                variant="body2"
                data-testid="alarm-transition-comment"
                sx={{ mt: 0.5, pl: 1, borderLeft: 3, borderColor: "divider", whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}
              >
                {t.comment}
              </Typography>
            )}
          </Box>
        </Box>
      ))}
    </Stack>
  );
}
