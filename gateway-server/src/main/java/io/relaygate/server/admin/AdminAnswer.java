package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An admin API answer: its status and JSON body. */
record AdminAnswer(int status, ObjectNode json) {

    static AdminAnswer ok(ObjectNode json) {
        return new AdminAnswer(200, json);
    }
}
