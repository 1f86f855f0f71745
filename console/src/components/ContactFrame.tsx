// What every state of the contact view shows around its content: the way back and the heading.
// Part of the first chunk, so the view's placeholder looks like the view loading its contact.
import type { ComponentChildren, Ref } from 'preact'
import { useTitle } from './Announce'
import { Loading } from './lazy'

export function ContactFrame(props: { title: string; heading?: Ref<HTMLHeadingElement>; children: ComponentChildren }) {
  return (
    <section aria-labelledby="contact-title">
      <p class="back">
        <a href="#/">← All contacts</a>
      </p>
      <h1 id="contact-title" tabIndex={-1} ref={props.heading}>
        {props.title}
      </h1>
      {props.children}
    </section>
  )
}

/** The view before its contact (or its chunk) has come. */
export function ContactLoading({ failed }: { failed: boolean }) {
  useTitle('Contact')
  return (
    <ContactFrame title="Contact">
      <Loading failed={failed} what="the contact" />
    </ContactFrame>
  )
}
