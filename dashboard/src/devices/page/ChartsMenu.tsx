import ShowChartIcon from "@mui/icons-material/ShowChart";
import { Button, Checkbox, ListItemIcon, ListItemText, Menu, MenuItem } from "@mui/material";
import { useState } from "react";
import type { ChartChoice } from "./chart-choice";
import { isShown } from "./chart-choice";
import type { PlannedChart } from "./chart-plan";

/** "Charts (6/24)": every chart of the page with a checkbox; the choice is the user's, stored by the caller. */
export function ChartsMenu({
  charts,
  choice,
  onShow,
}: {
  charts: PlannedChart[];
  choice: ChartChoice | undefined;
  onShow: (chart: PlannedChart, show: boolean) => void;
}) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const shown = charts.filter((chart) => isShown(chart, choice)).length;
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        startIcon={<ShowChartIcon />}
        onClick={(event) => setAnchor(event.currentTarget)}
        data-testid="charts-menu"
        disabled={charts.length === 0}
      >
        Charts ({shown}/{charts.length})
      </Button>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {charts.map((chart) => {
          const checked = isShown(chart, choice);
          const outside = chart.metrics.some((metric) => !metric.inProfile);
          return (
            <MenuItem
              key={chart.title}
              dense
              onClick={() => onShow(chart, !checked)}
              data-testid="chart-choice"
              data-chart-title={chart.title}
            >
              <ListItemIcon>
                <Checkbox edge="start" size="small" checked={checked} tabIndex={-1} disableRipple />
              </ListItemIcon>
              <ListItemText primary={chart.title} secondary={outside ? "not in profile" : undefined} />
            </MenuItem>
          );
        })}
      </Menu>
    </>
  );
}
