// The token of the kernel service that logs errors thrown by event subscribers.
import type { SubscriberErrorReporter } from './after-event';

/** Logs an after-subscriber's error with the event's name; injected into every events class. */
export const EventErrorReporter = Symbol('EventErrorReporter');
export type EventErrorReporter = SubscriberErrorReporter;
