import { readAvatar, setAvatar } from '../../db/customers/customer-avatar-service.js';
import type { AppDeps } from '../app-deps.js';
import { ctx } from '../http/locals.js';
import { API_PREFIX, defineRoutes, type RouteDef } from '../http/route.js';
import { customerFileStorage } from './customer-file-storage.js';
import { customerOnlySchema } from './customer-gdpr-schemas.js';
import { presentCustomer } from './customer-presenter.js';
import { AVATAR_UPLOAD, fileUpload } from './upload.js';

const path = `${API_PREFIX}/stores/:storeId/customers/:id/avatar`;

export function customerAvatarRoutes(deps: AppDeps): RouteDef[] {
  const storage = customerFileStorage(deps);
  return defineRoutes([
    {
      method: 'put',
      path,
      policy: 'customers.avatar.put',
      summary: "Replace the customer's avatar: multipart `file`, JPEG, PNG or WebP up to 1 MB, judged by its content",
      tag: 'Customers',
      schema: customerOnlySchema,
      bodyType: 'multipart',
      before: fileUpload(AVATAR_UPLOAD),
      responses: {
        200: { description: 'The customer, with its avatarUrl' },
        413: { description: 'The image is larger than 1 MB' },
        415: { description: 'The file is not a JPEG, PNG or WebP image' },
      },
      handler: async (_req, res) => {
        const { params } = res.locals.valid;
        const customer = await setAvatar(deps.db, storage, ctx(res), params.id, res.locals.upload!);
        res.json(presentCustomer(customer, res.locals.principal!.role));
      },
    },
    {
      method: 'get',
      path,
      policy: 'customers.avatar.get',
      summary: "The customer's avatar image",
      tag: 'Customers',
      schema: customerOnlySchema,
      responses: { 200: { description: 'The image (image/jpeg, image/png or image/webp)' } },
      handler: async (_req, res) => {
        const { params } = res.locals.valid;
        const image = await readAvatar(deps.db, storage, ctx(res), params.id);
        // A face is personal data: browsers may keep it for this user only, and must ask again.
        res.setHeader('Cache-Control', 'private, no-cache');
        res.type(image.contentType).send(image.bytes);
      },
    },
  ]);
}
