-- One database per service (ARCHITECTURE.md "Services"), created when the postgres container first starts.
CREATE DATABASE vanthu_documents ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE vanthu_signing ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE vanthu_routing ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE vanthu_reporting ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE vanthu_exchange ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE vanthu_notifications ENCODING 'UTF8' TEMPLATE template0;
