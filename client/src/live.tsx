import { createContext, useContext, useEffect, useMemo, useRef } from "react";
import type { ReactNode } from "react";
import { useClient } from "urql";
import { graphql } from "./gql";
import type { FrameEvent, ObservationEvent, ObservatoryEvent } from "./gql/graphql";

// One socket, one subscription per kind for the whole app; pages listen to what they show.
const OBSERVATION_EVENTS = graphql(`
  subscription LiveObservationEvents {
    observationEvents {
      observationId
      projectId
      state
      previousState
      actor
      reason
      occurredAt
    }
  }
`);

const FRAME_EVENTS = graphql(`
  subscription LiveFrameEvents {
    frameEvents {
      frameId
      observationId
      kind
      step
      status
      error
      state
      occurredAt
    }
  }
`);

const OBSERVATORY_EVENTS = graphql(`
  subscription LiveObservatoryEvents {
    observatoryEvents {
      observatoryId
      kind
      connected
      operationalState
      safety
      currentObservationId
      progressPercent
      progressPhase
      framesCaptured
      detail
      occurredAt
    }
  }
`);

type Listener<T> = (event: T) => void;

class Hub<T> {
  private listeners = new Set<Listener<T>>();
  add(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: T): void {
    for (const listener of this.listeners) listener(event);
  }
}

interface LiveHubs {
  observations: Hub<ObservationEvent>;
  frames: Hub<FrameEvent>;
  observatories: Hub<ObservatoryEvent>;
}

declare global {
  interface Window {
    /** performance.now() of every subscription event received (read by the GUI benchmark). */
    __ssEventTimes?: number[];
  }
}

const LiveContext = createContext<LiveHubs | null>(null);

function record(): void {
  (window.__ssEventTimes ??= []).push(performance.now());
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const hubs = useMemo<LiveHubs>(() => ({ observations: new Hub(), frames: new Hub(), observatories: new Hub() }), []);
  useEffect(() => {
    const observations = client.subscription(OBSERVATION_EVENTS, {}).subscribe((result) => {
      if (!result.data) return;
      record();
      hubs.observations.emit(result.data.observationEvents as ObservationEvent);
    });
    const frames = client.subscription(FRAME_EVENTS, {}).subscribe((result) => {
      if (!result.data) return;
      record();
      hubs.frames.emit(result.data.frameEvents as FrameEvent);
    });
    const observatories = client.subscription(OBSERVATORY_EVENTS, {}).subscribe((result) => {
      if (!result.data) return;
      record();
      hubs.observatories.emit(result.data.observatoryEvents as ObservatoryEvent);
    });
    return () => {
      observations.unsubscribe();
      frames.unsubscribe();
      observatories.unsubscribe();
    };
  }, [client, hubs]);
  return <LiveContext.Provider value={hubs}>{children}</LiveContext.Provider>;
}

function useHub<T>(pick: (hubs: LiveHubs) => Hub<T>, listener: Listener<T>): void {
  const hubs = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    if (!hubs) return;
    return pick(hubs).add((event) => latest.current(event));
  }, [hubs, pick]);
}

const pickObservations = (hubs: LiveHubs) => hubs.observations;
const pickFrames = (hubs: LiveHubs) => hubs.frames;
const pickObservatories = (hubs: LiveHubs) => hubs.observatories;

/** Call `listener` on every observation state change the viewer may see. */
export function useObservationEvents(listener: Listener<ObservationEvent>): void {
  useHub(pickObservations, listener);
}

/** Call `listener` on every frame pipeline event the viewer may see. */
export function useFrameEvents(listener: Listener<FrameEvent>): void {
  useHub(pickFrames, listener);
}

/** Call `listener` on every change of an observatory's link, state, safety, work or progress. */
export function useObservatoryEvents(listener: Listener<ObservatoryEvent>): void {
  useHub(pickObservatories, listener);
}
