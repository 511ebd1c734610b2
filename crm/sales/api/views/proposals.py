"""Proposals (`/api/crm/proposals/`).

`items` is written as [{"plan": id, "price": "89.90"}] (price defaults to the plan's;
the discount is limited by role) and read with list price, discount and price.
`POST <id>/send/` queues the e-mail (202; follow `sending_status`), `accept/`,
`reject/`, `attachments/` (multipart), `GET <id>/pdf/` and `GET <id>/email/` (preview).
"""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import ModelViewSet

from core.mixins import ServiceWriteMixin
from core.parsers import BoundedJSONParser
from crm.sales import selectors, services
from crm.sales.filtersets import ProposalFilterSet
from crm.sales.pdf import proposal_pdf

from ..serializers.proposals import (
    AcceptSerializer,
    ProposalAttachmentSerializer,
    ProposalEmailSerializer,
    ProposalSerializer,
    RejectSerializer,
)


class ProposalViewSet(ServiceWriteMixin, ModelViewSet):
    """Proposals to leads; only drafts are edited. See the module documentation."""

    serializer_class = ProposalSerializer
    filterset_class = ProposalFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.proposals_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_proposal(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_proposal(
            serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def _answer(self, proposal, code=status.HTTP_200_OK):
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(self.get_serializer(proposal).data, status=code)

    @extend_schema(request=None, responses={202: ProposalSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def send(self, request, pk=None):
        """Queue the e-mail with the PDF attached; `sending_status` follows it (sent or failed)."""
        proposal = services.request_sending(self.get_object(), user=request.user)
        return self._answer(proposal, status.HTTP_202_ACCEPTED)

    @extend_schema(request=AcceptSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def accept(self, request, pk=None):
        """The client accepts: a typed name (recorded with time and IP) and/or a signature image."""
        payload = AcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proposal = services.accept_proposal(
            self.get_object(),
            user=request.user,
            ip=request.META.get("REMOTE_ADDR"),
            **payload.validated_data,
        )
        return self._answer(proposal)

    @extend_schema(request=RejectSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reject(self, request, pk=None):
        payload = RejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proposal = services.reject_proposal(
            self.get_object(), user=request.user, **payload.validated_data
        )
        return self._answer(proposal)

    @extend_schema(
        request=ProposalAttachmentSerializer, responses={201: ProposalAttachmentSerializer}
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def attachments(self, request, pk=None):
        """Attach a file (multipart `file`, `description`); it goes out with the e-mail."""
        payload = ProposalAttachmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = services.add_proposal_attachment(
            self.get_object(),
            user=request.user,
            upload=payload.validated_data["file"],
            description=payload.validated_data.get("description", ""),
        )
        return Response(
            ProposalAttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], filterset_class=None)
    def pdf(self, request, pk=None):
        proposal = self.get_object()
        response = HttpResponse(proposal_pdf(proposal), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{proposal}.pdf"'
        return response

    @extend_schema(responses=ProposalEmailSerializer)
    @action(detail=True, methods=["get"], filterset_class=None)
    def email(self, request, pk=None):
        """The e-mail as it will be sent (subject, text and HTML), to review before sending."""
        message = services.proposal_email(self.get_object())
        return Response(
            {
                "to": ", ".join(message.to),
                "subject": message.subject,
                "text": message.body,
                "html": message.alternatives[0][0],
            }
        )
