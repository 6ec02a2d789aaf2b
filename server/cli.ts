// npm run patron -- <command>: administration for real deployments, through the same services and
// validation as the API.
import { Command } from 'commander';
import type Joi from 'joi';
import { config } from '../config/env.js';
import { AppError } from '../config/errors.js';
import { systemActor } from '../db/context.js';
import { createDb } from '../db/knex.js';
import { createOrganization, listAllOrganizations } from '../db/organizations/organization-service.js';
import { createSysadmin } from '../db/users/sysadmin-service.js';
import { createUser } from '../db/users/user-service.js';
import { organizationExists } from '../db/stores/store-access.js';
import { withTenant } from '../db/tenant.js';
import { createOrganizationSchema } from './organizations/organization-schemas.js';
import { createUserSchema } from './users/user-schemas.js';

const db = createDb(config.db.url, 2);

function valid<T>(schema: Joi.Schema, value: unknown): T {
  const { value: out, error } = schema.validate(value, {
    abortEarly: false,
    stripUnknown: true,
    errors: { wrap: { label: false } },
  });
  if (error) throw new AppError('validation_failed', error.details.map((d) => d.message).join('; '));
  return out as T;
}

const program = new Command('patron').description('Patron administration').showHelpAfterError();

program
  .command('org:create')
  .description('create an organisation; prints it as JSON')
  .requiredOption('--name <name>', 'organisation name')
  .action(async (opts: { name: string }) => {
    const input = valid<{ name: string }>(createOrganizationSchema.body, { name: opts.name });
    console.log(JSON.stringify(await createOrganization(db, input), null, 2));
  });

program
  .command('org:list')
  .description('list organisations (first 100)')
  .action(async () => {
    console.log(JSON.stringify((await listAllOrganizations(db, { limit: 100 })).data, null, 2));
  });

program
  .command('user:create')
  .description('create a user: staff, manager or admin of --org, or a platform sysadmin')
  .requiredOption('--email <email>')
  .requiredOption('--password <password>', 'at least 12 characters')
  .requiredOption('--name <name>')
  .requiredOption('--role <role>', 'staff | manager | admin | sysadmin')
  .option('--org <organizationId>', 'the organisation (not for sysadmin)')
  .option('--stores <ids>', 'comma-separated store ids (staff and managers)', '')
  .action(
    async (opts: { email: string; password: string; name: string; role: string; org?: string; stores: string }) => {
      if (opts.role === 'sysadmin') {
        if (opts.org) throw new AppError('validation_failed', 'a sysadmin belongs to no organisation: drop --org');
        const body = valid<{ email: string; password: string; name: string }>(createUserSchema.body, {
          ...opts,
          role: 'admin',
        });
        const created = await createSysadmin(db, body);
        console.log(JSON.stringify({ ...created, role: 'sysadmin' }, null, 2));
        return;
      }
      if (!opts.org) throw new AppError('validation_failed', '--org is required for staff, manager and admin');
      const orgId = opts.org;
      const exists =
        /^[0-9a-f-]{36}$/i.test(orgId) &&
        (await withTenant(db, { platform: true }, (trx) => organizationExists(trx, orgId)));
      if (!exists) throw new AppError('not_found', `no organisation ${orgId}`);
      const storeIds = opts.stores ? opts.stores.split(',').map((s) => s.trim()) : [];
      const body = valid<Parameters<typeof createUser>[2]>(createUserSchema.body, { ...opts, storeIds });
      const user = await createUser(db, { orgId: opts.org, actor: systemActor }, body);
      console.log(JSON.stringify(user, null, 2));
    },
  );

program
  .parseAsync()
  .catch((err: unknown) => {
    console.error(err instanceof AppError ? `error: ${err.message}` : err);
    process.exitCode = 1;
  })
  .finally(() => db.destroy());
