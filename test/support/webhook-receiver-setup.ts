// Vitest's globalSetup for the worker project: one webhook receiver (webhook-receiver.ts) for the
// tests inside workerd, which reach it over HTTP (`inject('webhookReceiver')`).
import type { TestProject } from 'vitest/node'
import './webhook-receiver-context.ts'
import { startWebhookReceiver } from './webhook-receiver.ts'

export default async function setup(project: TestProject) {
  const receiver = await startWebhookReceiver()
  project.provide('webhookReceiver', receiver.url)
  return () => receiver.close()
}
