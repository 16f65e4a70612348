package io.tracebee.decode;

/** A decoded kernel event; one implementation per event kind. */
public sealed interface TracedEvent permits HttpServerEvent, HttpClientEvent, DbEvent, RedisEvent,
        KafkaProducerEvent, KafkaConsumerEvent, GrpcEvent, ManualSpanEvent, TraceAdoptEvent,
        ProcessEvent {
    EventHeader header();
}
