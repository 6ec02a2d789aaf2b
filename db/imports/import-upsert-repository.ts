import { inlineParameters } from '../tenant.js';

// The set-based upsert of one staged batch, in the caller's transaction (tenant set). Every statement
// works on the whole batch: match, create, attach tags and addresses, update what changed, then write
// the audit rows and outbox events of the customers that really changed. A row matches a live customer
// of the store by, in order: its external id, licence or medical card (blind index), email, phone; a row
// with none of those matches a customer with the same folded names and birthday and no identifier
// either, so re-importing a file of names alone creates nothing the second time. Empty cells are "not
// given": they never clear a value. Consents are stamped only when the decision changes.

export interface UpsertScope {
  orgId: string;
  storeId: string;
  importId: string;
  actorType: string;
  actorId: string | null;
  /** The trace id of the events: the request that uploaded the file. */
  traceId: string | null;
}

const LIVE = `('active','inactive')`;

// Rows without any identifier are matched by their folded names, folded here first: compared with a
// function of the staged row (patron_fold(s.first_name)), a name cannot use an index under row-level
// security (the function is not leakproof), so each such row scanned the whole store. Compared with a
// column, it uses customers_identifierless_names.
const FOLD_IDENTIFIERLESS = `
update import_staging set first_name_folded = patron_fold(first_name), last_name_folded = patron_fold(last_name)
 where external_id is null and drivers_license_bidx is null and medical_card_bidx is null
   and email is null and phone is null`;

// Each probe runs only for a row that has its identifier: a subquery skipped costs nothing, one run
// with a null key still starts its index scan.
const probe = (given: string, subquery: string) => `case when ${given} is not null then (${subquery}) end`;

/** The store's oldest live customer whose `column` equals the row's. */
const probeBy = (column: string) =>
  probe(
    `s.${column}`,
    `select c.id from customers c where c.store_id = :store and c.${column} = s.${column}
      and c.status in ${LIVE} order by c.created_at, c.id limit 1`,
  );

const MATCH = `
update import_staging s set customer_id = coalesce(
  ${probe(
    's.external_id',
    `select r.customer_id from customer_external_refs r join customers c on c.id = r.customer_id
    where r.store_id = :store and r.provider = s.external_provider and r.external_id = s.external_id
      and c.status in ${LIVE} limit 1`,
  )},
  ${probeBy('drivers_license_bidx')},
  ${probeBy('medical_card_bidx')},
  ${probeBy('email')},
  ${probeBy('phone')},
  ${probe(
    's.first_name_folded',
    `select c.id from customers c
    where c.store_id = :store and c.last_name_folded = s.last_name_folded
      and c.first_name_folded = s.first_name_folded and c.birthday is not distinct from s.birthday
      and c.email is null and c.phone is null and c.drivers_license_bidx is null and c.medical_card_bidx is null
      and c.status in ${LIVE} order by c.created_at, c.id limit 1`,
  )})`;

// Two rows of one batch that reach the same customer by different identifiers: the later row wins and
// the earlier one is reported, so no value is dropped silently.
const COLLAPSE = `
with ranked as (
  select row_no, customer_id, max(row_no) over (partition by customer_id) as last_row
    from import_staging where customer_id is not null
), marked as (
  update import_staging s set outcome = 'collapsed' from ranked r
   where r.row_no = s.row_no and r.row_no < r.last_row
  returning s.row_no, r.last_row
)
insert into customer_import_errors (organization_id, import_id, "row", "column", message, severity)
select :org, :import, row_no, null,
       'matches the same customer as line ' || last_row || ', which was applied instead', 'warning'
  from marked`;

const consentOf = (column: string) =>
  `case when ${column} is not null then jsonb_build_object('granted', ${column}, 'at', :now::text, 'source', 'import') end`;

const NEW_ROWS = `update import_staging set customer_id = patron_uuid_v7(), outcome = 'created' where customer_id is null`;

const INSERT_CUSTOMERS = `
insert into customers (id, organization_id, store_id, first_name, middle_name, last_name, birthday, email, phone,
  gender, customer_type, drivers_license_ciphertext, drivers_license_bidx, drivers_license_last4,
  drivers_license_state, drivers_license_expires_on, medical_card_ciphertext, medical_card_bidx,
  medical_card_last4, medical_card_state, medical_card_expires_on, consents)
select customer_id, :org, :store, first_name, middle_name, last_name, birthday, email, phone,
  gender, coalesce(customer_type, 'recreational'), drivers_license_ciphertext, drivers_license_bidx,
  drivers_license_last4, case when drivers_license_bidx is not null then drivers_license_state end,
  case when drivers_license_bidx is not null then drivers_license_expires_on end,
  medical_card_ciphertext, medical_card_bidx, medical_card_last4,
  case when medical_card_bidx is not null then medical_card_state end,
  case when medical_card_bidx is not null then medical_card_expires_on end,
  -- A row without consents (most files) writes {} without building and stripping an object: ~1 µs a row.
  case when marketing_email_opt_in is null and marketing_sms_opt_in is null then '{}'::jsonb
       else jsonb_strip_nulls(jsonb_build_object('marketingEmail', ${consentOf('marketing_email_opt_in')},
                                                 'marketingSms', ${consentOf('marketing_sms_opt_in')})) end
  from import_staging where outcome = 'created'`;

// Refs of new rows, and of matched rows that did not carry the ref yet (a later sync then finds them).
const ATTACH_REFS = `
  insert into customer_external_refs (organization_id, store_id, customer_id, provider, external_id)
  select distinct on (external_id) :org, :store, customer_id, external_provider, external_id
    from import_staging
   where external_id is not null and external_provider is not null and outcome is distinct from 'collapsed'
   order by external_id, row_no desc
  on conflict (store_id, provider, external_id) do nothing
  returning customer_id`;

const ADD_TAGS = `
  insert into customer_tags (organization_id, store_id, customer_id, label)
  select :org, :store, s.customer_id, btrim(t.label)
    from import_staging s cross join lateral unnest(string_to_array(s.tags, '|')) as t(label)
   where s.tags is not null and btrim(t.label) <> '' and s.outcome is distinct from 'collapsed'
  on conflict (customer_id, lower(label)) do nothing
  returning customer_id`;

// A row's address is added unless the customer has it already (same first line and postal code); it
// becomes the default shipping address when there is none.
const ADD_ADDRESSES = `
  insert into customer_addresses (organization_id, store_id, customer_id, type, line1, line2, city, region,
    postal_code, country, is_default)
  select :org, :store, s.customer_id, 'shipping', s.address_line1, s.address_line2, s.city, s.region,
         s.postal_code, coalesce(upper(s.country), :country),
         not exists (select 1 from customer_addresses d
                      where d.customer_id = s.customer_id and d.type = 'shipping' and d.is_default)
    from import_staging s
   where s.address_line1 is not null and s.city is not null and s.outcome is distinct from 'collapsed'
     and not exists (select 1 from customer_addresses a
                      where a.customer_id = s.customer_id and lower(a.line1) = lower(s.address_line1)
                        and coalesce(a.postal_code, '') = coalesce(s.postal_code, ''))
  returning customer_id`;

const changedIf = (condition: string, field: string) => `case when ${condition} then '${field}' end`;
const givenAndDiffers = (column: string) => `s.${column} is not null and s.${column} is distinct from c.${column}`;
const identityChanged = (prefix: string) =>
  `s.${prefix}_bidx is not null and (s.${prefix}_bidx is distinct from c.${prefix}_bidx
     or ${givenAndDiffers(`${prefix}_state`)} or ${givenAndDiffers(`${prefix}_expires_on`)})`;
const consentChanged = (key: string, column: string) =>
  `s.${column} is not null and (c.consents -> '${key}' is null
     or (c.consents -> '${key}' ->> 'granted')::boolean is distinct from s.${column})`;
const consentSet = (json: string, key: string, column: string) =>
  `case when ${consentChanged(key, column)} then jsonb_set(${json}, '{${key}}', ${consentOf(`s.${column}`)}) else ${json} end`;
const identitySet = (prefix: string) => `
  ${prefix}_ciphertext = case when s.${prefix}_bidx is not null and s.${prefix}_bidx is distinct from c.${prefix}_bidx
    then s.${prefix}_ciphertext else c.${prefix}_ciphertext end,
  ${prefix}_last4 = case when s.${prefix}_bidx is not null and s.${prefix}_bidx is distinct from c.${prefix}_bidx
    then s.${prefix}_last4 else c.${prefix}_last4 end,
  ${prefix}_bidx = coalesce(s.${prefix}_bidx, c.${prefix}_bidx),
  ${prefix}_state = case when s.${prefix}_bidx is not null then coalesce(s.${prefix}_state, c.${prefix}_state) else c.${prefix}_state end,
  ${prefix}_expires_on = case when s.${prefix}_bidx is not null
    then coalesce(s.${prefix}_expires_on, c.${prefix}_expires_on) else c.${prefix}_expires_on end`;

/** Matched rows: what changes is written in one update, and each row keeps its changed field names. */
const UPDATE_MATCHED = `
with diff as (
  select s.row_no, c.id, array_remove(array[
    ${changedIf(givenAndDiffers('first_name'), 'firstName')},
    ${changedIf(givenAndDiffers('middle_name'), 'middleName')},
    ${changedIf(givenAndDiffers('last_name'), 'lastName')},
    ${changedIf(givenAndDiffers('birthday'), 'birthday')},
    ${changedIf(givenAndDiffers('email'), 'email')},
    ${changedIf(givenAndDiffers('phone'), 'phone')},
    ${changedIf(givenAndDiffers('gender'), 'gender')},
    ${changedIf(givenAndDiffers('customer_type'), 'customerType')},
    ${changedIf(identityChanged('drivers_license'), 'driversLicense')},
    ${changedIf(identityChanged('medical_card'), 'medicalCard')},
    ${changedIf(consentChanged('marketingEmail', 'marketing_email_opt_in'), 'consents.marketingEmail')},
    ${changedIf(consentChanged('marketingSms', 'marketing_sms_opt_in'), 'consents.marketingSms')}
  ]::text[], null) as changed
    from import_staging s join customers c on c.id = s.customer_id
   where s.outcome is null
     for update of c
), updated as (
  update customers c set
    first_name = coalesce(s.first_name, c.first_name),
    middle_name = coalesce(s.middle_name, c.middle_name),
    last_name = coalesce(s.last_name, c.last_name),
    birthday = coalesce(s.birthday, c.birthday),
    email = coalesce(s.email, c.email),
    phone = coalesce(s.phone, c.phone),
    gender = coalesce(s.gender, c.gender),
    customer_type = coalesce(s.customer_type, c.customer_type),
    ${identitySet('drivers_license')},
    ${identitySet('medical_card')},
    consents = ${consentSet(consentSet('c.consents', 'marketingEmail', 'marketing_email_opt_in'), 'marketingSms', 'marketing_sms_opt_in')},
    version = c.version + 1,
    updated_at = now()
  from diff d join import_staging s on s.row_no = d.row_no
  where c.id = d.id and cardinality(d.changed) > 0
  returning c.id
)
update import_staging s set changed = d.changed from diff d where s.row_no = d.row_no`;

// Tags, addresses and refs a matched row added are changes of that customer too.
const noteAdded = (field: string) =>
  `update import_staging s set changed = array_append(coalesce(s.changed, '{}'), '${field}')
    where s.outcome is null and s.customer_id in (select customer_id from added)`;

const CREATED_FIELDS = `array_remove(array[
  case when first_name is not null then 'firstName' end, case when middle_name is not null then 'middleName' end,
  case when last_name is not null then 'lastName' end, case when birthday is not null then 'birthday' end,
  case when email is not null then 'email' end, case when phone is not null then 'phone' end,
  case when gender is not null then 'gender' end, case when customer_type is not null then 'customerType' end,
  case when drivers_license_bidx is not null then 'driversLicense' end,
  case when medical_card_bidx is not null then 'medicalCard' end,
  case when marketing_email_opt_in is not null then 'consents.marketingEmail' end,
  case when marketing_sms_opt_in is not null then 'consents.marketingSms' end,
  case when tags is not null then 'tags' end,
  case when address_line1 is not null and city is not null then 'addresses' end]::text[], null)`;

const OUTCOMES = `
update import_staging set outcome = case when cardinality(changed) > 0 then 'updated' else 'unchanged' end
 where outcome is null`;

// A customer that only gained tags, an address or a reference changed too: updatedSince must find it.
const TOUCH_UPDATED = `
update customers c set updated_at = now() from import_staging s
 where c.id = s.customer_id and s.outcome = 'updated' and c.updated_at <> now()`;

// Field names only, never values: the audit row and the event of each customer that changed. A created
// customer's event data is the same for the whole batch: built once, in a subquery, not once per row.
const AUDIT_AND_EVENTS = `
with changed as (
  select customer_id as id, ${CREATED_FIELDS} as changed, 'customer.created' as action
    from import_staging where outcome = 'created'
  union all
  select customer_id, changed, 'customer.updated' from import_staging where outcome = 'updated'
), audit as (
  insert into audit_log (organization_id, store_id, actor_type, actor_id, action, subject_type, subject_id,
                         changed_fields, request_id)
  select :org, :store, :actortype, :actorid::uuid, action, 'customer', id, changed, :trace from changed
)
insert into outbox_events (organization_id, store_id, type, subject_type, subject_id, data, trace_id)
select :org, :store, action, 'customer', id,
       case when action = 'customer.updated' then jsonb_build_object('changedFields', to_jsonb(changed))
            else (select jsonb_build_object('importId', :import::text)) end,
       :trace
  from changed`;

/**
 * What the batch did, per file row: a person created or updated counts its first row so and each row folded
 * into it by what that row brought; an unchanged person's rows are all unchanged (as is a collapsed row).
 */
export const BATCH_OUTCOME = `
select count(*) filter (where outcome = 'created')::int as created,
       (count(*) filter (where outcome = 'updated')
        + coalesce(sum(folded_updated) filter (where outcome in ('created', 'updated')), 0))::int as updated,
       (count(*) filter (where outcome in ('unchanged', 'collapsed'))
        + coalesce(sum(folded_unchanged) filter (where outcome in ('created', 'updated')), 0)
        + coalesce(sum(folded_updated + folded_unchanged) filter (where outcome in ('unchanged', 'collapsed')), 0)
       )::int as unchanged
  from import_staging`;

/** BATCH_OUTCOME's shape for a batch with nothing staged (every row refused). */
export const NOTHING_STAGED = 'select 0 as created, 0 as updated, 0 as unchanged';

type Bindings = Record<string, unknown>;

/** `:name` placeholders → escaped literals, so the whole batch travels as one message. */
function bind(sql: string, values: Bindings): string {
  const params: unknown[] = [];
  const text = sql.replace(/(?<!:):([a-z]+)\b/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no binding for :${name}`);
    params.push(values[name]);
    return `$${params.length}`;
  });
  return inlineParameters(text, params);
}

/**
 * The upsert of a staged batch as SQL statements with their values inlined, to run in one transaction
 * after the batch is in the staging table. BATCH_OUTCOME then reads what they did. Planned afresh each
 * batch, on purpose: a plan kept from the first batch of an import into an empty store would read the
 * whole table for every probe once the store has grown.
 */
export function upsertStatements(scope: UpsertScope, storeCountry: string): string[] {
  const values: Bindings = {
    org: scope.orgId,
    store: scope.storeId,
    import: scope.importId,
    country: storeCountry,
    now: new Date().toISOString(),
    actortype: scope.actorType,
    actorid: scope.actorId,
    trace: scope.traceId,
  };
  return [
    FOLD_IDENTIFIERLESS,
    MATCH,
    COLLAPSE,
    NEW_ROWS,
    INSERT_CUSTOMERS,
    UPDATE_MATCHED,
    `with added as (${ATTACH_REFS}) ${noteAdded('externalRefs')}`,
    `with added as (${ADD_TAGS}) ${noteAdded('tags')}`,
    `with added as (${ADD_ADDRESSES}) ${noteAdded('addresses')}`,
    OUTCOMES,
    TOUCH_UPDATED,
    AUDIT_AND_EVENTS,
  ].map((sql) => bind(sql, values));
}
