import { connect, type ConsumeMessage, type MessageProperties } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../../config/env.js';
import { EVENTS_EXCHANGE } from '../../integrations/events/rabbitmq-publisher.js';

export interface ReceivedEvent {
  routingKey: string;
  properties: MessageProperties;
  body: Record<string, any>;
}

export interface EventConsumer {
  /** Every message received so far, in arrival order (duplicates included). */
  readonly received: ReceivedEvent[];
  /** Messages about one organisation (the test's own), in arrival order. */
  of(orgId: string): ReceivedEvent[];
  /** Waits until `done` holds for what has arrived; fails after `timeoutMs`, naming `what`. */
  until(what: string, done: (received: ReceivedEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real consumer on the local RabbitMQ: a server-named, exclusive queue of its own bound to
 * `patron.events` (every routing key by default), acking each message as it arrives.
 */
export async function consumeEvents(routingKeys: string[] = ['#']): Promise<EventConsumer> {
  const connection = await connect(config.events.rabbitmqUrl);
  const channel = await connection.createChannel();
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  for (const key of routingKeys) await channel.bindQueue(queue, EVENTS_EXCHANGE, key);
  const received: ReceivedEvent[] = [];
  await channel.consume(queue, (message: ConsumeMessage | null) => {
    if (!message) return;
    received.push({
      routingKey: message.fields.routingKey,
      properties: message.properties,
      body: JSON.parse(message.content.toString('utf8')),
    });
    channel.ack(message);
  });
  return {
    received,
    of: (orgId) => received.filter((m) => m.body.organizationId === orgId),
    async until(what, done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(received)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${received.length} received)`);
        await sleep(20);
      }
    },
    async close() {
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
