from django import template

from .. import work_queue

register = template.Library()


@register.simple_tag
def curator_queue():
    return work_queue.queue()


@register.simple_tag
def curator_recent_edits(user):
    return work_queue.recent_edits(user)
