/** The fleet overview: the dashboard's home page (`<Admin dashboard>`). */
export { FleetOverview } from "./FleetOverview";
