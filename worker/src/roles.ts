/** Which roles grant each permission, as in Rocket.Chat's defaults. */
export const PERMISSIONS = {
  'view-l-room': ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent'],
  'update-livechat-contact': ['admin', 'livechat-manager', 'livechat-agent'],
  'delete-livechat-contact': ['admin', 'livechat-manager'],
} as const

export type Permission = keyof typeof PERMISSIONS

/** Every role an agent can be given; `user` is authenticated but has no omnichannel permission. */
export const ROLES = ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent', 'user'] as const
