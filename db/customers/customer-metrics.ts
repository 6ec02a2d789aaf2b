import client from 'prom-client';
import { metricsRegistry } from '../../config/metrics.js';

// Domain counters on /metrics. Labels carry no ids (cardinality) and never personal data.
const counter = (name: string, help: string) => new client.Counter({ name, help, registers: [metricsRegistry] });

export const customerMetrics = {
  created: counter('patron_customers_created_total', 'Customers created (API, upsert, import, sync)'),
  updated: counter('patron_customers_updated_total', 'Customer updates committed'),
  deleted: counter('patron_customers_deleted_total', 'Customers soft-deleted'),
  merged: counter('patron_customers_merged_total', 'Customer merges'),
  erased: counter('patron_customers_erased_total', 'GDPR erasures'),
  tagged: counter('patron_customer_tags_added_total', 'Tags added to customers'),
  notesAdded: counter('patron_customer_notes_added_total', 'Internal notes added'),
  duplicateWarnings: counter(
    'patron_customer_duplicate_warnings_total',
    'Creates or edits answered 409 duplicate_customer',
  ),
  searchDuration: new client.Histogram({
    name: 'patron_customer_search_duration_seconds',
    help: 'Customer search time in the service, by detected query kind',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [metricsRegistry],
  }),
};
