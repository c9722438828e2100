import { Box, Typography } from "@mui/material";
import type { ReactNode } from "react";

/** One entry of a chart's legend: a line colour (a series) or a block colour (a state). */
export interface LegendEntry {
  key: string;
  label: string;
  color: string;
  swatch: "line" | "block";
}

/** A chart's title row: the title, a badge, the legend, and actions at the right end. */
export function ChartHeader(props: {
  title: string;
  adornment?: ReactNode;
  legend: LegendEntry[];
  legendTestId?: string;
  actions?: ReactNode;
}) {
  const { title, adornment, legend, legendTestId, actions } = props;
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 1, minHeight: 30, flexWrap: "wrap" }}>
      <Typography variant="subtitle2" component="h3">
        {title}
      </Typography>
      {adornment}
      {legend.length > 0 && (
        <Box sx={{ display: "flex", gap: 1.5, flexWrap: "wrap" }} data-testid={legendTestId}>
          {legend.map((entry) => (
            <Typography
              key={entry.key}
              variant="caption"
              color="text.secondary"
              data-legend-key={entry.key}
              sx={{ display: "flex", alignItems: "center", gap: 0.5 }}
            >
              <Box
                component="span"
                sx={{
                  width: 10,
                  height: entry.swatch === "line" ? 3 : 10,
                  borderRadius: entry.swatch === "line" ? 0 : "2px",
                  bgcolor: entry.color,
                  display: "inline-block",
                }}
              />
              {entry.label}
            </Typography>
          ))}
        </Box>
      )}
      <Box sx={{ flex: 1 }} />
      {actions}
    </Box>
  );
}
