import { apiKeyRoutes } from './api-keys/api-key-routes.js';
import type { AppDeps } from './app-deps.js';
import { authRoutes } from './auth/auth-routes.js';
import { customerAddressRoutes } from './customers/customer-address-routes.js';
import { customerDocumentRoutes } from './customers/customer-document-routes.js';
import { customerDuplicateRoutes } from './customers/customer-duplicate-routes.js';
import { customerGdprRoutes } from './customers/customer-gdpr-routes.js';
import { customerNoteRoutes } from './customers/customer-note-routes.js';
import { customerPosSyncRoutes } from './customers/customer-pos-sync-routes.js';
import { customerRoutes } from './customers/customer-routes.js';
import { customerSearchRoutes } from './customers/customer-search-routes.js';
import { customerTagRoutes } from './customers/customer-tag-routes.js';
import type { RouteDef } from './http/route.js';
import { meRoutes } from './me/me-routes.js';
import { organizationRoutes } from './organizations/organization-routes.js';
import { posSettingsRoutes } from './pos/pos-settings-routes.js';
import { storeRoutes } from './stores/store-routes.js';
import { customerImportRoutes } from './imports/customer-import-routes.js';
import { customerSyncRoutes } from './syncs/customer-sync-routes.js';
import { userRoutes } from './users/user-routes.js';
import { webhookRoutes } from './webhooks/webhook-routes.js';

/** Every API route under /api/v1, feature by feature. */
export function apiRoutes(deps: AppDeps): RouteDef[] {
  return [
    ...authRoutes(deps),
    ...meRoutes(deps),
    ...organizationRoutes(deps),
    ...storeRoutes(deps),
    ...userRoutes(deps),
    ...apiKeyRoutes(deps),
    ...webhookRoutes(deps),
    // Literal segments (/customers/duplicates, /customers/upsert) before /customers/:id, which would match them.
    ...customerSearchRoutes(deps),
    ...customerDuplicateRoutes(deps),
    ...customerRoutes(deps),
    ...customerTagRoutes(deps),
    ...customerNoteRoutes(deps),
    ...customerAddressRoutes(deps),
    ...customerDocumentRoutes(deps),
    ...customerGdprRoutes(deps),
    ...customerPosSyncRoutes(deps),
    ...posSettingsRoutes(deps),
    ...customerSyncRoutes(deps),
    ...customerImportRoutes(deps),
  ];
}
