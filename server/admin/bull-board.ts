import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express } from 'express';
import { QUEUE_NAMES, type Queues } from '../../jobs/queues.js';

export const BULL_BOARD_PATH = '/admin/queues';

/** Bull Board over every queue of the registry (same names, same prefix as the workers use). */
export function bullBoard(queues: Queues): Express {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(queues[name])),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'Patron jobs',
        hideDocsLink: true,
        miscLinks: [{ text: 'Sign out', url: '/admin/login' }],
      },
    },
  });
  return serverAdapter.getRouter() as Express;
}
