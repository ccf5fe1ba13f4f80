package io.jvmbus.host.session;

import com.fasterxml.jackson.databind.node.ArrayNode;

/** Looks at other sessions of the same server, for {@code {"op":"inspect","vm":NAME}}. */
@FunctionalInterface
public interface ForeignInspector {

    /** Looks at nothing: a session alone. */
    ForeignInspector NONE = vm -> com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();

    /**
     * The states of the other live sessions whose HELLO named this VM.
     *
     * @param vm a VM name, or {@code "*"} for every other session
     * @return one object per session: {@code {"session":id,"vm":name,"state":{...}}} or, for a session that did not
     *     answer in time, {@code {"session":id,"vm":name,"error":...}}
     */
    ArrayNode inspect(String vm);
}
