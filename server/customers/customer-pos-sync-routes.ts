import type { Response } from 'express';
import { logger } from '../../config/logger.js';
import type { Customer } from '../../db/customers/customer-model.js';
import { retryPosWrite } from '../../db/pos/pos-write-service.js';
import type { Role } from '../../db/users/roles.js';
import { createQueue, enqueueOptions } from '../../jobs/queues.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { presentCustomer } from './customer-presenter.js';
import { customerResponse, getCustomerSchema } from './customer-schemas.js';

const present = (res: Response, customer: Customer) => presentCustomer(customer, ctx(res).actor.role as Role);

export function customerPosSyncRoutes(deps: AppDeps): RouteDef[] {
  // A producer on the app's fail-fast connection, built on first use (the connection belongs to deps).
  let queue: ReturnType<typeof createQueue<'pos-write'>> | undefined;
  const queueOf = () => (queue ??= createQueue('pos-write', deps.redis));

  return defineRoutes([
    {
      method: 'post',
      path: `${API_PREFIX}/stores/:storeId/customers/:id/pos-sync`,
      policy: 'customers.posSync.retry',
      tag: 'Customers',
      summary: "Write the customer to the store's POS again (after a failed write-through)",
      schema: getCustomerSchema,
      responses: {
        202: {
          description: 'The customer, posSyncStatus pending; the write runs in the background',
          schema: customerResponse,
        },
        409: { description: "The store's POS takes no write for this customer, or the customer is not live" },
      },
      handler: async (_req, res) => {
        const customer = await retryPosWrite(deps.db, ctx(res), res.locals.valid.params.id);
        // After the commit, to start at once; if Redis refuses, the dispatcher finds the pending customer.
        const data = {
          orgId: customer.organizationId,
          storeId: customer.storeId,
          customerId: customer.id,
          operation: customer.externalRefs.length > 0 ? ('update' as const) : ('create' as const),
        };
        await queueOf()
          .add('pos-write', data, enqueueOptions('pos-write', data))
          .catch((err: unknown) =>
            logger.warn('POS write not enqueued; the dispatcher will', { customerId: customer.id, err }),
          );
        res.status(202).json(present(res, customer));
      },
    },
  ]);
}
