package dev.sdqueue.dispatcher;

import dev.sdqueue.schema.Schedulers;
import java.util.ArrayList;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/** Fills in what annotations cannot reference: the scheduler names of the contract. */
public final class OpenApiContractFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        Schema request = openAPI.getComponents().getSchemas().get("GenerationRequest");
        if (request != null && request.getProperties() != null) {
            Schema scheduler = request.getProperties().get("scheduler");
            if (scheduler != null) {
                scheduler.setEnumeration(new ArrayList<>(Schedulers.NAMES));
            }
        }
    }
}
