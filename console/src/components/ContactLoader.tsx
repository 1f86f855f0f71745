// One contact's view is its own chunk (with the edit form, the erase confirmation and the server's
// field rules), fetched the first time a contact is opened.
import { ContactLoading } from './ContactFrame'
import { lazy } from './lazy'

export const ContactLoader = lazy(() => import('./ContactView').then((module) => module.ContactView), ContactLoading)
