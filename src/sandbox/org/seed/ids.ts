/** Ids and times of the seeded organisation: fixed, so other routes, the tests and the client matrix code against them. */
import { ref, type Linkage, type ResourceRecord } from '../store.js';

export const SEED = {
  datasources: { sample: 'smpl-data-0001', product: 'prod-anly-0002' },
  dashboards: { ops: 'dash-ops-0001', growth: 'dash-growth-0002', product: 'dash-product-0003' },
  reports: {
    flightsPerPeriod: 'rep-flights-per-period',
    topAirports: 'rep-top-airports',
    delayByAirline: 'rep-delay-by-airline',
    airportGrowth: 'rep-airport-growth',
    signups: 'rep-signups',
  },
  filters: { originAirport: 'flt-origin-airport', airline: 'flt-airline' },
  dashboardGroups: { operations: 'dgrp-operations', commercial: 'dgrp-commercial' },
  schedules: { weeklyOps: 'sched-weekly-ops' },
  snippets: { activeAirports: 'snip-active-airports' },
  alerts: { delaySpike: 'alert-delay-spike', cancellations: 'alert-cancellations' },
  users: { admin: 'usr-admin', analyst: 'usr-analyst', viewer: 'usr-viewer', pending: 'usr-pending' },
  userGroups: { allUsers: 'ugrp-all-users', allAnalysts: 'ugrp-all-analysts', analysts: 'ugrp-analysts' },
  agents: { main: 'agent-0001' },
} as const;

/** Puts one seeded record into the store. */
export type Put = (rec: ResourceRecord) => void;

export const links = (type: string, ids: readonly string[]): Linkage[] => ids.map((id) => ref(type, id));
const unix = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** The last three months of the sample data (it runs 2024-01-01 … 2026-10-31). */
export const LAST_QUARTER_OF_DATA = `${unix('2026-08-01T00:00:00Z')}~${unix('2026-10-31T23:59:59Z')}`;

export const T0 = '2026-01-15T09:12:00Z';
export const T1 = '2026-03-04T14:30:00Z';
export const T2 = '2026-05-21T08:05:00Z';
export const PENDING_SINCE = '2026-10-20T10:00:00Z';
