/** Which roles grant each permission, as in Rocket.Chat's defaults. */
export const PERMISSIONS = {
  'view-l-room': ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent'],
  'update-livechat-contact': ['admin', 'livechat-manager', 'livechat-agent'],
  'delete-livechat-contact': ['admin', 'livechat-manager'],
  // livechat/rooms lists every room; without it an agent lists only the rooms it serves.
  'view-livechat-rooms': ['admin', 'livechat-manager', 'livechat-monitor'],
} as const

/** Roles that may act on any livechat room (read its streams and history, write, close), not only
 * on rooms they serve: Rocket.Chat's managers and admins. */
export const ROOM_SUPERVISOR_ROLES: readonly string[] = ['admin', 'livechat-manager']

export type Permission = keyof typeof PERMISSIONS

/** Every role an agent can be given; `user` is authenticated but has no omnichannel permission. */
export const ROLES = ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent', 'user'] as const
