// The console's roles and what each may do. viewer looks; reviewer also works the report, appeal and label
// queues; admin may do everything, including the public-service list, revealing a subscriber's number and
// replaying failed notices. One table, read by the routes and by the pages (which hide what is refused).
export const ROLES = ['viewer', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Permission = 'look' | 'review' | 'administer';

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['look'],
  reviewer: ['look', 'review'],
  admin: ['look', 'review', 'administer'],
};

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function may(role: Role, p: Permission): boolean {
  return GRANTS[role].includes(p);
}

export const ROLE_NAMES: Record<Role, string> = { viewer: '只读', reviewer: '审核员', admin: '管理员' };
