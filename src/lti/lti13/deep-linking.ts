/**
 * Deep Linking 2.0, the tool's half: the signed LtiDeepLinkingResponse JWT the browser posts
 * back to the platform's deep_link_return_url, with ltiResourceLink items that may declare a
 * line item so the platform makes the gradebook column at once.
 */
import { randomUUID } from 'node:crypto';
import { LTI13, LTI13_SERVICES } from '../constants.js';
import { type SigningKey, signJwt } from './jwt.js';

const DL = LTI13_SERVICES.deepLinking;

/** The item's content was refused before signing: a bug in the caller, never the platform's doing. */
export class DeepLinkingError extends Error {
  readonly code = 'deep_linking_invalid_item';

  constructor(message: string) {
    super(message);
    this.name = 'DeepLinkingError';
  }
}

export interface DeclaredLineItem {
  label: string;
  scoreMaximum: number;
  /** The tool's own id for the resource: how the tool finds this column again, even in a copied course. */
  resourceId: string;
  tag: string;
}

export interface LtiResourceLinkItem {
  type: 'ltiResourceLink';
  title: string;
  text?: string;
  /** Where the launch goes; the platform uses the tool's target_link_uri when absent. */
  url?: string;
  custom?: Record<string, string>;
  lineItem?: DeclaredLineItem;
}

export interface LtiResourceLinkInput {
  title: string;
  text?: string;
  url?: string;
  custom?: Record<string, string>;
  lineItem?: DeclaredLineItem;
}

/** Platforms show the title in a course page; longer ones are cut by them anyway. */
const MAX_TITLE_LENGTH = 255;

export function ltiResourceLinkItem(input: LtiResourceLinkInput): LtiResourceLinkItem {
  const title = input.title.trim();
  if (title === '') throw new DeepLinkingError('A resource link needs a title.');
  const item: LtiResourceLinkItem = { type: DL.resourceLinkType, title: title.slice(0, MAX_TITLE_LENGTH) };
  if (input.text !== undefined && input.text !== '') item.text = input.text;
  if (input.url !== undefined) {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new DeepLinkingError(`The resource link URL "${input.url}" is not an absolute URL.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DeepLinkingError('The resource link URL must be http(s).');
    item.url = url.href;
  }
  if (input.custom !== undefined) {
    const custom: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.custom)) {
      // LTI custom parameters are strings; a number sent as one would come back unsubstituted or lost.
      if (typeof value !== 'string') throw new DeepLinkingError(`Custom parameter "${name}" must be a string.`);
      custom[name] = value;
    }
    item.custom = custom;
  }
  if (input.lineItem !== undefined) {
    const { label, scoreMaximum, resourceId, tag } = input.lineItem;
    if (!Number.isFinite(scoreMaximum) || scoreMaximum <= 0) {
      throw new DeepLinkingError(`A line item needs a positive scoreMaximum (got ${scoreMaximum}).`);
    }
    if (label.trim() === '') throw new DeepLinkingError('A line item needs a label.');
    if (resourceId === '') throw new DeepLinkingError('A line item needs a resourceId.');
    item.lineItem = { label, scoreMaximum, resourceId, tag };
  }
  return item;
}

export interface DeepLinkingResponseInput {
  toolClientId: string;
  platformIssuer: string;
  deploymentId: string;
  /** The request's deep_linking_settings.data, echoed unchanged; null or undefined when it had none. */
  data: string | null | undefined;
  items: LtiResourceLinkItem[];
  /** Shown by the platform on return. */
  message?: string;
  /** Shown by the platform when the instructor's choice could not be completed. */
  errorMessage?: string;
}

/** How long the platform may take to receive the response after it is signed (the browser posts it). */
const RESPONSE_LIFETIME_SECONDS = 600;

/** The signed LtiDeepLinkingResponse: iss = our client id, aud = the platform's issuer. */
export function deepLinkingResponse(input: DeepLinkingResponseInput, key: SigningKey, now: number): string {
  const iat = Math.floor(now / 1000);
  const payload: Record<string, unknown> = {
    iss: input.toolClientId,
    aud: input.platformIssuer,
    iat,
    exp: iat + RESPONSE_LIFETIME_SECONDS,
    nonce: randomUUID(),
    [LTI13.claims.messageType]: DL.responseMessageType,
    [LTI13.claims.version]: LTI13.version,
    [LTI13.claims.deploymentId]: input.deploymentId,
    [DL.contentItemsClaim]: input.items,
  };
  // The spec asks for data to come back exactly when the request carried it.
  if (input.data !== null && input.data !== undefined) payload[DL.dataClaim] = input.data;
  if (input.message !== undefined && input.message !== '') payload[DL.msgClaim] = input.message;
  if (input.errorMessage !== undefined && input.errorMessage !== '') payload[DL.errorMsgClaim] = input.errorMessage;
  return signJwt(payload, key, now);
}
