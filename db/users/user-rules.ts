import { AppError } from '../../config/errors.js';
import type { Role } from './roles.js';

/** Roles an organisation's admin may give; sysadmins are platform users made by the CLI. */
export const ORG_ROLES = ['staff', 'manager', 'admin'] as const satisfies readonly Role[];
export type OrgRole = (typeof ORG_ROLES)[number];

export interface UserPatch {
  name?: string;
  role?: OrgRole;
  storeIds?: string[];
  password?: string;
}

export interface UserState {
  id: string;
  name: string;
  role: Role;
  storeIds: string[];
}

/** Admins reach every store of their organisation, so they hold no store grants. */
export const grantedStoreIds = (role: Role, storeIds: string[]): string[] =>
  role === 'admin' ? [] : [...new Set(storeIds)].sort();

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((id) => b.includes(id));

/** Field names the patch really changes (a password given is always a change). */
export function changedUserFields(current: UserState, patch: UserPatch): Array<keyof UserPatch> {
  const changed: Array<keyof UserPatch> = [];
  if (patch.name !== undefined && patch.name !== current.name) changed.push('name');
  if (patch.role !== undefined && patch.role !== current.role) changed.push('role');
  const role = patch.role ?? current.role;
  if (patch.storeIds !== undefined || patch.role !== undefined) {
    const next = grantedStoreIds(role, patch.storeIds ?? current.storeIds);
    if (!sameSet(next, current.storeIds)) changed.push('storeIds');
  }
  if (patch.password !== undefined) changed.push('password');
  return changed;
}

/** A change of role, store access or password ends the user's sessions: their tokens carry the old grants. */
export const endsSessions = (changed: Array<keyof UserPatch>): boolean =>
  changed.some((field) => field === 'role' || field === 'storeIds' || field === 'password');

/** An admin who could demote or delete themself might leave the organisation with nobody to manage it. */
export function refuseSelfLockout(actorId: string | null, target: UserState, patch: UserPatch | 'delete'): void {
  if (actorId !== target.id) return;
  if (patch === 'delete') {
    throw new AppError('conflict', 'you cannot delete your own account; ask another admin');
  }
  if (patch.role !== undefined && patch.role !== target.role && target.role === 'admin') {
    throw new AppError('conflict', 'you cannot change your own role; ask another admin', {
      details: [{ path: 'role', message: 'cannot demote yourself' }],
    });
  }
}
