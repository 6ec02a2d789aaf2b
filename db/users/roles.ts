export const ROLES = ['staff', 'manager', 'admin', 'sysadmin'] as const;
export type Role = (typeof ROLES)[number];
export const API_KEY_ROLES = ['staff', 'manager'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

const RANK: Record<Role, number> = { staff: 1, manager: 2, admin: 3, sysadmin: 4 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}
