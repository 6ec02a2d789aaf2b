import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { logger } from '../../config/logger.js';

/** The topic exchange every event goes to; the routing key is the event type (`customer.updated`). */
export const EVENTS_EXCHANGE = 'patron.events';

/**
 * What the publisher needs of an event: the envelope of API.md "Events" has these fields and more, and
 * the whole object becomes the message body. Declared here so integrations/ depends on nothing in db/.
 */
export interface PublishableEvent {
  id: string;
  type: string;
  occurredAt: string;
  organizationId: string;
  storeId: string | null;
  subject: { type: string; id: string };
}

export interface EventPublisher {
  /**
   * Publishes the events in order and resolves once the broker has confirmed every one (persisted on
   * durable queues). Rejects if any was refused or the connection dropped: the caller publishes them
   * all again later, so a consumer may see an event twice and drops it by `messageId`.
   */
  publish(events: readonly PublishableEvent[]): Promise<void>;
  close(): Promise<void>;
}

export interface RabbitMqPublisherOptions {
  url: string;
  exchange?: string;
  /** How long a batch may wait for its confirms (a broker under a memory alarm blocks publishers). */
  confirmTimeoutMs?: number;
  connectTimeoutMs?: number;
}

interface Link {
  connection: ChannelModel;
  channel: ConfirmChannel;
}

export class EventPublishError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'EventPublishError';
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves on 'drain', rejects if the channel closes first (the write buffer would never empty). */
function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      channel.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      channel.off('drain', onDrain);
      reject(new EventPublishError('RabbitMQ channel closed while publishing'));
    };
    channel.once('drain', onDrain);
    channel.once('close', onClose);
  });
}

/**
 * One connection and one confirm channel per process, opened at the first publish and opened again at
 * the next publish after either closes. Messages are persistent, JSON, with `messageId` = event id,
 * `type` = event type and the organisation, store and subject as headers, so a consumer can route or
 * drop duplicates without parsing the body.
 */
export function createRabbitMqPublisher(options: RabbitMqPublisherOptions): EventPublisher {
  const exchange = options.exchange ?? EVENTS_EXCHANGE;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 30_000;
  let link: Promise<Link> | undefined;
  // The connection behind `link`: a late 'close' of an older connection must not drop a newer link.
  let active: ChannelModel | undefined;
  let closed = false;

  const forget = (connection: ChannelModel) => {
    if (active !== connection) return;
    active = undefined;
    link = undefined;
  };

  async function open(): Promise<Link> {
    const connection = await connect(options.url, { timeout: options.connectTimeoutMs ?? 5000 });
    // Without an 'error' listener an emitted error would crash the process; 'close' follows it.
    connection.on('error', (err: Error) => logger.warn('RabbitMQ connection error', { err: reason(err) }));
    connection.on('close', () => forget(connection));
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', (err: Error) => logger.warn('RabbitMQ channel error', { err: reason(err) }));
      channel.on('close', () => {
        forget(connection);
        connection.close().catch(() => undefined);
      });
      await channel.assertExchange(exchange, 'topic', { durable: true });
      active = connection;
      return { connection, channel };
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  function linked(): Promise<Link> {
    if (closed) return Promise.reject(new EventPublishError('the event publisher is closed'));
    if (!link) {
      const attempt = open();
      link = attempt;
      attempt.catch(() => {
        if (link === attempt) link = undefined;
      });
    }
    return link;
  }

  async function publishAll(channel: ConfirmChannel, events: readonly PublishableEvent[]): Promise<void> {
    for (const event of events) {
      const occurredAt = Date.parse(event.occurredAt);
      const headers: Record<string, string> = {
        organizationId: event.organizationId,
        subjectType: event.subject.type,
        subjectId: event.subject.id,
      };
      if (event.storeId) headers.storeId = event.storeId;
      const flowing = channel.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: 'application/json',
        messageId: event.id,
        type: event.type,
        appId: 'patron',
        // AMQP timestamps are whole seconds; the exact time is the body's occurredAt.
        timestamp: Number.isNaN(occurredAt) ? undefined : Math.floor(occurredAt / 1000),
        headers,
      });
      if (!flowing) await drained(channel);
    }
    await channel.waitForConfirms();
  }

  return {
    async publish(events) {
      if (events.length === 0) return;
      let current: Link | undefined;
      let timer: NodeJS.Timeout | undefined;
      try {
        current = await linked();
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new EventPublishError(`RabbitMQ confirms did not arrive within ${confirmTimeoutMs} ms`)),
            confirmTimeoutMs,
          );
        });
        const publishing = publishAll(current.channel, events);
        publishing.catch(() => undefined); // after a timeout its own rejection has nobody waiting
        await Promise.race([publishing, timeout]);
      } catch (err) {
        // A channel whose confirms went missing cannot be trusted with the next batch: start afresh.
        if (current) {
          forget(current.connection);
          await current.connection.close().catch(() => undefined);
        }
        if (err instanceof EventPublishError) throw err;
        throw new EventPublishError(`RabbitMQ publish failed: ${reason(err)}`, err);
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      closed = true;
      const opening = link;
      link = undefined;
      active = undefined;
      const current = await opening?.catch(() => undefined);
      if (!current) return;
      await current.channel.close().catch(() => undefined);
      await current.connection.close().catch(() => undefined);
    },
  };
}
